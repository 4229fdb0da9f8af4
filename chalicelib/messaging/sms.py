"""SMS through SNS (transactional, to an E.164 number)."""
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.clients import client
from chalicelib.messaging.errors import DeliveryFailed


def send(phone: str, text: str) -> str:
    try:
        answer = client("sns").publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
    except (ClientError, BotoCoreError) as error:
        code = error.response["Error"].get("Code", "error") if isinstance(error, ClientError) else type(error).__name__
        raise DeliveryFailed(f"sns:{code}") from None
    return answer["MessageId"]
