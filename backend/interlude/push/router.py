"""HTTP API of the push domain: the VAPID public key, devices (subscriptions), a test push."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from interlude.accounts.auth import CurrentUser
from interlude.core.deps import ClockDep, KeyringDep, SessionDep, SettingsDep
from interlude.core.errors import error_responses
from interlude.push import service
from interlude.push.schemas import (
    DeviceReceiptRead,
    PushSubscriptionCreate,
    PushSubscriptionRead,
    PushSubscriptionUpdate,
    PushTestRead,
    ReceiptCreate,
    VapidPublicKeyRead,
)
from interlude.push.testsend import check_and_count_test, send_test_notifications
from interlude.push.vapid import application_server_key

router = APIRouter(prefix="/api/v1/push", tags=["push"])

_DEVICE_ERRORS = error_responses(401, 404, 422)


@router.get("/vapid-public-key", response_model=VapidPublicKeyRead)
def get_vapid_public_key(
    session: SessionDep, keyring: KeyringDep, clock: ClockDep
) -> VapidPublicKeyRead:
    """The applicationServerKey to pass to ``pushManager.subscribe``.

    Public (no sign-in): it is a public key by nature, and the service worker may need it
    to re-subscribe on ``pushsubscriptionchange``. Created on first use.
    """
    key = application_server_key(session=session, keyring=keyring, now=clock.now())
    return VapidPublicKeyRead(public_key=key)


@router.post(
    "/subscriptions",
    response_model=PushSubscriptionRead,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "Already registered: keys and label refreshed"},
        **error_responses(401, 409, 422),
    },
)
def create_push_subscription(
    body: PushSubscriptionCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
) -> PushSubscriptionRead:
    """Registers this browser's PushSubscription (``subscription.toJSON()`` plus a ``label``)."""
    row, created = service.upsert_subscription(
        session=session,
        user_id=user.id,
        data=body,
        now=clock.now(),
        allow_private_network=settings.allow_private_network,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return PushSubscriptionRead.of(row, clock.now())


@router.get(
    "/subscriptions",
    response_model=list[PushSubscriptionRead],
    responses=error_responses(401),
)
def list_push_subscriptions(
    user: CurrentUser, session: SessionDep, clock: ClockDep
) -> list[PushSubscriptionRead]:
    """Every device of this user, with its delivery health (gone devices stay listed until
    they are repaired or removed)."""
    rows = service.list_subscriptions(session=session, user_id=user.id)
    now = clock.now()
    return [PushSubscriptionRead.of(row, now) for row in rows]


@router.patch(
    "/subscriptions/{subscription_id}",
    response_model=PushSubscriptionRead,
    responses=_DEVICE_ERRORS,
)
def rename_push_subscription(
    subscription_id: uuid.UUID,
    body: PushSubscriptionUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
) -> PushSubscriptionRead:
    """Renames a device."""
    row = service.rename_subscription(
        session=session,
        user_id=user.id,
        subscription_id=subscription_id,
        label=body.label,
        now=clock.now(),
    )
    return PushSubscriptionRead.of(row, clock.now())


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_DEVICE_ERRORS,
)
def delete_push_subscription(
    subscription_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> Response:
    """Stops sending to a device (call ``subscription.unsubscribe()`` in the browser too)."""
    service.remove_subscription(session=session, user_id=user.id, subscription_id=subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/test", response_model=PushTestRead, responses=error_responses(401, 429))
def send_test_push(
    user: CurrentUser,
    session: SessionDep,
    keyring: KeyringDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> PushTestRead:
    """Sends a test notification to every device now and reports each device's result.

    Devices the push service reports as gone (404/410) are marked gone. At most 3 tests a
    minute and 30 a day per account (429 with Retry-After).
    """
    check_and_count_test(session=session, keyring=keyring, user_id=user.id, now=clock.now())
    return send_test_notifications(
        session=session,
        keyring=keyring,
        user_id=user.id,
        subject=settings.vapid_subject,
        clock=clock,
        allow_private_network=settings.allow_private_network,
        base_url=settings.base_url,
    )


@router.post("/receipt", response_model=DeviceReceiptRead, responses=error_responses(401, 422))
def post_device_receipt(
    body: ReceiptCreate, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> DeviceReceiptRead:
    """The service worker showed a notification that is not a reminder (the test push):
    this device works. Reminders' receipts go to ``POST /reminders/{id}/receipt``."""
    known = service.record_receipt(
        session=session, user_id=user.id, device_hash=body.device, now=clock.now()
    )
    return DeviceReceiptRead(device_known=known)
