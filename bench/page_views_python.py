#!/usr/bin/python3
"""The page-views job as a short Python script would do it, the peer the
page_views_e2e benchmark measures ours against: Debian's
python3-confluent-kafka (librdkafka 2.0.2, as ours), the same two hops in
one loop as bench/page_views_raw.cpp and the same librdkafka settings:

  1. input record (JSON page view keyed by user): json.loads, produce the
     value to the repartition topic keyed by the page id;
  2. repartition record: count the page in a dict, produce the new count
     keyed by the page id (a JSON string, as a table's changelog).

Commits asynchronously every second. Prints "partitions assigned: N" on
stderr when the group assigns partitions; stops on SIGTERM/SIGINT.

  page_views_python.py BOOTSTRAP GROUP INPUT REPARTITION OUTPUT
"""
import json
import signal
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer

stopping = False


def stop(signum, frame):
    global stopping
    stopping = True


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: page_views_python.py BOOTSTRAP GROUP INPUT "
                 "REPARTITION OUTPUT")
    bootstrap, group, input_topic, repartition, output = sys.argv[1:]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def on_delivery(err, msg):
        if err is not None:
            sys.exit("page_views_python: delivery failed: %s" % err)

    producer = Producer({
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "partitioner": "murmur2_random",
        "queue.buffering.max.messages": 1000000,
        "on_delivery": on_delivery,
    })
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "partition.assignment.strategy": "range",
        "fetch.wait.max.ms": 10,
        "queued.min.messages": 1000000,
    })

    def on_assign(consumer, partitions):
        print("partitions assigned: %d" % len(partitions), file=sys.stderr,
              flush=True)

    consumer.subscribe([input_topic, repartition], on_assign=on_assign)
    counts = {}
    last_commit = time.monotonic()
    while not stopping:
        for msg in consumer.consume(num_messages=10000, timeout=0.1):
            if msg.error():
                print("page_views_python: %s" % msg.error(), file=sys.stderr)
                continue
            if msg.topic() == input_topic:
                page = json.loads(msg.value())["id"]
                while True:
                    try:
                        producer.produce(repartition, msg.value(), page)
                        break
                    except BufferError:
                        producer.poll(0.001)
            else:
                page = msg.key().decode()
                count = counts.get(page, 0) + 1
                counts[page] = count
                while True:
                    try:
                        producer.produce(output, str(count),
                                         json.dumps(page))
                        break
                    except BufferError:
                        producer.poll(0.001)
        producer.poll(0)
        now = time.monotonic()
        if now - last_commit >= 1.0:
            try:
                consumer.commit(asynchronous=True)
            except KafkaException:
                pass  # nothing consumed yet
            last_commit = now
    producer.flush(10)
    consumer.close()


if __name__ == "__main__":
    main()
