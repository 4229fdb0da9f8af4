"""SMS through SNS (transactional, to an E.164 number)."""
from chalicelib.clients import client
from chalicelib.messaging.errors import PROVIDER_ERRORS, DeliveryFailed


def send(phone: str, text: str) -> str:
    try:
        answer = client("sns").publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
    except PROVIDER_ERRORS as error:
        raise DeliveryFailed.of("sns", error) from None
    return answer["MessageId"]
