"""The SMS tests share the WhatsApp tests' fake Twilio and app fixtures (one account)."""

from tests.whatsapp.conftest import twilio, with_sms

__all__ = ["twilio", "with_sms"]
