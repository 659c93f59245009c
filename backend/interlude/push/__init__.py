"""Web Push: the VAPID identity, users' devices, and the sender the dispatcher uses."""
