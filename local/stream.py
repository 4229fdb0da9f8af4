"""DynamoDB Streams to Lambda, locally: the table's new stream records go to the app's stream functions.

In AWS an event source mapping polls the table's stream and invokes each `on_dynamodb_record`
function with batches of records (jobs/delivery.py sends the outbox that way). Here the same
functions get the same Lambda event, read from DynamoDB Local's stream: the local gateway does it
after each request and the local scheduler after each round of jobs, so a test or a developer
finds the email sent as soon as the response is back (in AWS it takes about a second more).
Each table's stream is read on from where the last read stopped; one lock keeps the records of
a process in order and handled once.
"""
import os
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from chalice import Chalice
from chalice.app import DynamoDBEventConfig
from chalice.config import Config
from chalice.local import LambdaContext

from chalicelib.clients import client
from chalicelib.settings import settings
from local import ses_simulator

_lock = threading.Lock()
# Work that queues work: a few rounds settle it; more would mean a function feeding itself.
ROUNDS = 5
_streams: dict[tuple[str, str], "TableStream"] = {}


@dataclass
class TableStream:
    """One table's stream, read from its start (TRIM_HORIZON, as the deployed mapping) onwards."""
    table_name: str
    endpoint: str
    arn: str = ""
    iterators: dict[str, str] = field(default_factory=dict)
    last_read: dict[str, str] = field(default_factory=dict)
    closed: set[str] = field(default_factory=set)

    def __post_init__(self):
        self._reader = boto3.client("dynamodbstreams", endpoint_url=self.endpoint)

    def new_records(self) -> list[dict[str, Any]]:
        """The records written since the last call, shard by shard, in order."""
        if not self.arn:
            self.arn = client("dynamodb").describe_table(TableName=self.table_name)["Table"]["LatestStreamArn"]
        records: list[dict[str, Any]] = []
        for shard in self._shards():
            shard_id = shard["ShardId"]
            if shard_id in self.closed:
                continue
            iterator = self.iterators.get(shard_id) or self._iterator(shard_id)
            while True:
                try:
                    answer = self._reader.get_records(ShardIterator=iterator)
                except self._reader.exceptions.ExpiredIteratorException:  # idle for 15 minutes
                    answer = self._reader.get_records(ShardIterator=self._iterator(shard_id))
                records.extend(answer["Records"])
                if answer["Records"]:
                    self.last_read[shard_id] = answer["Records"][-1]["dynamodb"]["SequenceNumber"]
                following = answer.get("NextShardIterator")
                if following is None:
                    self.closed.add(shard_id)
                    self.iterators.pop(shard_id, None)
                    break
                iterator = following
                if not answer["Records"]:
                    self.iterators[shard_id] = iterator
                    break
        return records

    def _iterator(self, shard_id: str) -> str:
        """Where to read this shard from: after the last record read, or its start."""
        after = self.last_read.get(shard_id)
        position = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after} if after
                    else {"ShardIteratorType": "TRIM_HORIZON"})
        return self._reader.get_shard_iterator(StreamArn=self.arn, ShardId=shard_id, **position)["ShardIterator"]

    def _shards(self) -> list[dict[str, Any]]:
        shards, after = [], None
        while True:
            request = {"StreamArn": self.arn, **({"ExclusiveStartShardId": after} if after else {})}
            description = self._reader.describe_stream(**request)["StreamDescription"]
            shards.extend(description["Shards"])
            after = description.get("LastEvaluatedShardId")
            if not after:
                return shards


def deliver_new_records(app: Chalice, config: Config | None = None) -> int:
    """Invokes every stream function of the app with the table's new records, and again with the records
    those functions wrote (a seller notice queues the seller's email), until none is left; returns how
    many records were handed on."""
    functions = [source for source in app.event_sources if isinstance(source, DynamoDBEventConfig)]
    endpoint = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    if not functions or not endpoint:  # no local table to read (a test of static files): nothing was written
        return 0
    handed = 0
    with _lock:
        table_name = settings().table_name
        stream = _streams.get((endpoint, table_name))
        if stream is None:
            stream = _streams[(endpoint, table_name)] = TableStream(table_name, endpoint)
        for _ in range(ROUNDS):
            records = stream.new_records()
            if not records:
                break
            handed += len(records)
            for function in functions:
                for start in range(0, len(records), function.batch_size):
                    batch = [_lambda_record(r, stream.arn) for r in records[start:start + function.batch_size]]
                    app.handler_map[function.name]({"Records": batch}, lambda_context(app, config, function.name))
            # What SES would publish for messages just sent to its simulator's addresses (EventBridge in AWS).
            ses_simulator.play(app, records, lambda name: lambda_context(app, config, name))
    return handed


def _lambda_record(record: dict[str, Any], arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda passes it: the stream's ARN added, the time in epoch seconds."""
    dynamodb = dict(record["dynamodb"])
    dynamodb["ApproximateCreationDateTime"] = dynamodb["ApproximateCreationDateTime"].timestamp()
    return {**record, "dynamodb": dynamodb, "eventSourceARN": arn}


def lambda_context(app: Chalice, config: Config | None, name: str) -> LambdaContext:
    """The context Lambda gives the app's function `name`: its deployed name, memory and timeout."""
    stage = config.chalice_stage if config else "dev"
    function = config.scope(stage, name) if config else None
    return LambdaContext(
        function_name=f"{app.app_name}-{stage}-{name}",
        memory_size=(function.lambda_memory_size if function else None) or 128,
        max_runtime_ms=((function.lambda_timeout if function else None) or 60) * 1000,
    )
