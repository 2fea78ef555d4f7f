"""People who log in: the vendor's staff (with a department and role) and portal contacts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersale.core.enums import Department


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("department", Department.MANAGEMENT)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        # E-mail addresses log in case-insensitively; they are stored lower-case.
        return self.get(email=(username or "").lower())

    def staff(self) -> models.QuerySet[User]:
        """Vendor staff: everyone with a role (portal contacts have none)."""
        return self.exclude(role="")


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Staff have a department and a role; a portal contact has neither.

    Role decides what a staff member may do: admins configure the system (and
    reach the Django admin), managers see every owner's accounts and the
    management reports, members work their own accounts.
    """

    email = models.EmailField(verbose_name=_("e-mail"), unique=True)
    name = models.CharField(verbose_name=_("name"), max_length=200)
    department = models.CharField(
        verbose_name=_("department"), max_length=20, choices=Department.choices, blank=True
    )
    role = models.CharField(verbose_name=_("role"), max_length=10, choices=Role.choices, blank=True)
    language = models.CharField(
        verbose_name=_("language"),
        max_length=5,
        choices=[("en", _("English")), ("vi", _("Vietnamese"))],
        default="en",
    )
    is_active = models.BooleanField(verbose_name=_("active"), default=True)
    date_joined = models.DateTimeField(verbose_name=_("joined"), default=timezone.now)
    updated_at = models.DateTimeField(verbose_name=_("updated"), auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="user_staff_has_department",
                condition=models.Q(role="") | ~models.Q(department=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        # Only admins reach the Django admin; this keeps the two in step.
        self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    def get_short_name(self) -> str:
        return self.name.split(" ")[-1] if self.name else self.email

    @property
    def is_staff(self) -> bool:
        """What Django's admin checks. Not a column: a user loaded from the
        database must answer it too, so it is derived from the role."""
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_vendor_staff(self) -> bool:
        return self.is_active and bool(self.role)

    @property
    def is_manager(self) -> bool:
        return self.is_active and self.role in (Role.ADMIN, Role.MANAGER)
