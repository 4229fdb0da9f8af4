"""The outbox's delivery, fed by the table's DynamoDB stream: a message is sent moments after the
transaction that queued it commits, off the request that caused it.

In AWS the event source (infra/resources.yaml) hands this function only the INSERT records of
OUTBOX# items of the table's KEYS_ONLY stream; locally, local/stream.py reads DynamoDB Local's
stream and invokes it the same way. A record that fails is logged and left, never raised: its
message is due for the retry schedule a minute after it was written, and one bad record must
not hold back the stream's shard.
"""
from chalice import Blueprint

from chalicelib.observability import logger, metrics

delivery = Blueprint(__name__)

NAME = "deliver-outbox"
# Chalice needs the stream's ARN to package the app, but it exists only once the table does:
# infra/resources.yaml replaces this one with the table's StreamArn in the merged template.
STREAM_ARN_SET_BY_INFRA = "arn:aws:dynamodb:eu-west-3:000000000000:table/offerline/stream/set-by-infra"


@delivery.on_dynamodb_record(stream_arn=STREAM_ARN_SET_BY_INFRA, name=NAME, batch_size=25,
                             starting_position="TRIM_HORIZON")
def deliver_outbox(event):
    # Imported by the first batch: app.py imports this module, and `import app` stays cheap.
    from chalicelib.services import outbox
    from chalicelib.store import keys
    from chalicelib.store.table import from_dynamo

    handled = 0
    for record in event:
        key = from_dynamo(record.keys or {})
        if record.event_name != "INSERT" or not keys.is_outbox(key):
            continue
        handled += 1
        try:
            outbox.deliver_written(key)
        except Exception:
            logger.exception("outbox delivery failed, left to the retry schedule", extra={"outbox_key": key[keys.SK]})
            metrics.add_metric(name="OutboxStreamDeliveryFailed", unit="Count", value=1)
    return {"handled": handled}
