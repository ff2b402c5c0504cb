"""Sending one message on one channel. A send either returns (the mail server or the
provider accepted it, with the provider's id when it gives one) or raises one of these,
saying whether trying again later may help."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection


class DeliveryError(Exception):
    """The message was not accepted. `reason` is safe to log and show: no patient data."""

    temporary = False

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason[:200]


class TemporaryFailure(DeliveryError):
    temporary = True


class PermanentFailure(DeliveryError):
    pass


def _smtp_failure(code: int, what: str) -> DeliveryError:
    kind = TemporaryFailure if 400 <= code < 500 else PermanentFailure
    return kind(f"Mail server answered {code} ({what})")


def send_email(
    *, to: str, subject: str, text: str, attachments: list[tuple[str, str | bytes, str]]
) -> str:
    """Hand the e-mail with its attachments (name, content, MIME type) to the mail server
    (settings.EMAIL_*). Returns "" (SMTP gives no id)."""
    message = EmailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT),
    )
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    try:
        accepted = message.send()
    except smtplib.SMTPRecipientsRefused as error:
        code, _ = next(iter(error.recipients.values()))
        raise _smtp_failure(code, "recipient refused") from None
    except smtplib.SMTPSenderRefused as error:
        raise _smtp_failure(error.smtp_code, "sender refused") from None
    except smtplib.SMTPDataError as error:
        raise _smtp_failure(error.smtp_code, "message refused") from None
    except smtplib.SMTPResponseException as error:
        raise _smtp_failure(error.smtp_code, "refused") from None
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        # Connection refused or reset, a timeout, a server gone mid-conversation.
        raise TemporaryFailure(f"Mail server unreachable ({type(error).__name__})") from None
    if not accepted:
        raise TemporaryFailure("Mail server did not accept the message")
    return ""
