"""Who the token acts as."""


from django.http import HttpRequest
from ninja import Router

from aftersale.api.common import staff
from aftersale.api.schemas import Error, MeOut

router = Router()


@router.get("", response={200: MeOut, 401: Error}, summary="The token's user")
def me(request: HttpRequest) -> dict[str, str]:
    user = staff(request)
    return {"email": user.email, "name": user.name, "role": user.role, "department": user.department,
            "language": user.language}
