"""Quietness (P10): an account that keeps using us but asks for far less than its peers.

- ``assess``: the peer model fitted once per scan and each account's judgement;
- ``signal``: the quietness signal that caps the band of a quiet customer;
- ``step_in``: the quiet-customer alert and what closes it (a visit or call).
"""
