"""Web Push: the VAPID identity, users' devices, and the sender the dispatcher uses."""

from interlude.core.hooks import register_exporter
from interlude.push.service import export_subscriptions

register_exporter("push", export_subscriptions)
