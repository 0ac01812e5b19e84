#!/usr/bin/env python3
"""The mutations tests/mutations/run.sh applies, one at a time.

Each mutation breaks one guarantee by unique-string replacements in one
file (each snippet must occur exactly once: `check` says which went stale
after a change). `tests` are (suite, doctest case name), run as
build/bin/<suite>_test --test-case=<name>, or ("ctest", exact ctest name),
in order until one fails. `targets` are the ninja targets to rebuild.
`expect` says why the tests catch it. Optional mutations (`--all`) are
weaker spots kept for later tests.

CLI:  mutations.py list | check ROOT | apply ROOT NAME | show NAME
"""
import hashlib, json, sys

M = [
 dict(name="commit-before-delivery",
      guarantee="source offsets commit only after the records produced for them are delivered",
      file="actors/internal/kafka_consumer.cpp",
      replace=[
        ("  if (!st.commit_waiting || !st.client ||\n"
         "      !st.core->producer->delivered_through(st.commit_waiting->epoch))\n"
         "    return;\n",
         "  if (!st.commit_waiting || !st.client)\n"
         "    return;\n"),
        ("  if (!outputs_delivered(self,\n",
         "  if (false && !outputs_delivered(self,\n"),
      ],
      targets=["actors_test"],
      tests=[("actors", "on Kafka, an agent's sink output is delivered before its source offsets are committed")],
      expect="caught: the sink's Produce answers come 1.5 s late; every commit is checked against the deliveries so far"),
 dict(name="aborted-transaction-as-committed",
      guarantee="an aborted transaction rewinds its partition; its events are processed again",
      file="actors/internal/kafka_consumer.cpp",
      replace=[
        ("  switch (st.transactions->commit(p.tp, offset, st.client->group_metadata())) {\n",
         "  auto outcome = st.transactions->commit(p.tp, offset, st.client->group_metadata());\n"
         "  if (outcome == transaction_outcome::aborted)\n"
         "    outcome = transaction_outcome::committed;\n"
         "  switch (outcome) {\n"),
      ],
      targets=["actors_test"],
      tests=[("actors", "exactly_once: a transaction that fails is aborted and its records are processed again from the last commit"),
             ("actors", "exactly_once: a table's writes reach its store only when their transaction commits, an aborted transaction's events write again when processed again")],
      expect="caught"),
 dict(name="ack-before-agent-finished",
      guarantee="an event is acked only after its agent is done with it",
      file="actors/internal/agent_instance.cpp",
      replace=[
        ("  auto out = with_scopes(self, w.batch,\n",
         "  for (size_t i = w.begin; i < w.batch->records.size(); ++i)\n"
         "    st.buffer.add(w.batch->tp_id, w.batch->records[i]->offset);\n"
         "  st.flush();\n"
         "  auto out = with_scopes(self, w.batch,\n"),
      ],
      targets=["actors_test"],
      tests=[("actors", "an offset commits only when every stream that received it acked"),
             ("actors", "noack streams commit only what the agent acks"),
             ("actors", "stop lets agents finish the events they have before committing")],
      expect="caught"),
 dict(name="ack-before-cache-flush",
      guarantee="with a table cache, an event is acked only once its writes are on the changelog",
      file="actors/internal/agent_instance.cpp",
      replace=[
        ("    if (!held_acks.acks.empty() && !events->caches_dirty())\n",
         "    if (!held_acks.acks.empty())\n"),
      ],
      targets=["actors_test"],
      tests=[("actors", "with the table cache, an event's offset is committed only after its changelog records were produced")],
      expect="caught"),
 dict(name="skip-origin-dedup",
      guarantee="a write of an event the table already reflects is ignored",
      file="storage/active_partition.cpp",
      replace=[
        ("  if (applied(o))\n    return; // this event's effect is already in the state\n",
         "  if (false && applied(o))\n    return; // this event's effect is already in the state\n"),
      ],
      targets=["storage_test"],
      tests=[("storage", "an event the state already reflects writes nothing")],
      expect="caught"),
 dict(name="write-store-before-delivery",
      guarantee="a store batch is written only once its changelog records are delivered",
      file="storage/active_partition.cpp",
      replace=[
        ("                : delivered(batch.epoch) ? batch_fate::durable\n",
         "                : (delivered(batch.epoch) || true) ? batch_fate::durable\n"),
      ],
      targets=["storage_test"],
      tests=[("storage", "an active partition turns each event's writes into changelog records and stores them once they are delivered")],
      expect="caught"),
 dict(name="count-replayed-origin-twice",
      guarantee="replay applies each origin's records once",
      file="storage/changelog_replay.cpp",
      replace=[
        ("  if (!g.from.empty() &&\n",
         "  if (false && !g.from.empty() &&\n"),
      ],
      targets=["storage_test"],
      tests=[("storage", "replay counts each source event once")],
      expect="caught"),
 dict(name="drop-record-of-cut-short-event",
      guarantee="a cut-short group is dropped and its redo applied whole",
      file="storage/changelog_replay.cpp",
      replace=[
        ("    drop_held(); // the writer died before finishing that group\n",
         "    { drop_held(); return; } // the writer died before finishing that group\n"),
      ],
      targets=["storage_test"],
      tests=[("storage", "replay counts each source event once")],
      expect="caught"),
 dict(name="route-key-to-wrong-partition",
      guarantee="a key goes to murmur2(key) % partitions, as Kafka's Java client and Faust",
      file="transport/murmur2.cpp",
      replace=[
        ("  return static_cast<int32_t>(positive % static_cast<uint32_t>(partitions));\n",
         "  return static_cast<int32_t>((positive + 1) % static_cast<uint32_t>(partitions));\n"),
      ],
      targets=["transport_test"],
      tests=[("transport", "keys land on the partitions Java clients and Faust choose"),
             ("transport", "keyed records land on the partition Kafka's murmur2 gives")],
      expect="caught"),
 dict(name="lose-decode-error-count",
      guarantee="every record that does not decode is counted in monitor().decode_errors",
      file="actors/internal/app_core.cpp",
      replace=[
        ("  stats.decode_errors.fetch_add(1, std::memory_order_relaxed);\n",
         "  stats.decode_errors.fetch_add(0, std::memory_order_relaxed);\n"),
      ],
      targets=["actors_test"],
      tests=[("actors", "malformed, mistyped and incomplete records are counted and skipped, nothing else is lost")],
      expect="caught"),
 dict(name="stop-without-draining",
      guarantee="stop() lets agents finish the events they hold before the last commit",
      file="actors/app.cpp",
      replace=[
        ("    bool skip_drain = crashed() || !core_->settings().stream_wait_empty;\n",
         "    bool skip_drain = true || crashed() || !core_->settings().stream_wait_empty;\n"),
      ],
      targets=["actors_test"],
      tests=[("actors", "stop lets agents finish the events they have before committing"),
             ("actors", "stop gives up on an agent still busy after shutdown_timeout and commits what was acked")],
      expect="caught: the agent holds a full buffer when the stop begins; a stop that commits at once commits less than was processed"),
 # ---- optional extras (each needs the test named in mutations.md first) ----
 dict(name="x-app-store-before-delivery", optional=True,
      guarantee="the app's store gate waits for the changelog's delivery epoch",
      file="actors/internal/partition_writer.cpp",
      replace=[
        ("      [&](uint64_t epoch) { return !gate || gate->delivered_through(epoch); });\n",
         "      [&](uint64_t epoch) { return !gate || gate->delivered_through(epoch) || true; });\n"),
      ],
      targets=["actors_test"], tests=[],
      expect="missed today: needs a Kafka table test that delays Produce and reads the store meanwhile"),
 dict(name="x-aborted-fate-as-committed", optional=True,
      guarantee="store writes of an aborted transaction are dropped",
      file="transport/kafka/producer.cpp",
      replace=[
        ("  return aborted_.count(n) ? transaction_end::aborted\n",
         "  return (aborted_.count(n) && false) ? transaction_end::aborted\n"),
      ],
      targets=["actors_test"],
      tests=[("actors", "exactly_once: a table's writes reach its store only when their transaction commits, an aborted transaction's events write again when processed again")],
      expect="caught"),
 dict(name="x-kafka-partitioner", optional=True,
      guarantee="the Kafka producer partitions keys with murmur2",
      file="transport/kafka/producer.cpp",
      replace=[
        ('                   {"partitioner", "murmur2_random"}};\n',
         '                   {"partitioner", "consistent_random"}};\n'),
      ],
      targets=["transport_test"],
      tests=[("transport", "keyed records land on the partition Kafka's murmur2 gives")],
      expect="caught"),
 dict(name="x-apply-cut-short-group", optional=True,
      guarantee="an incomplete group is never applied",
      file="storage/changelog_replay.cpp",
      replace=[
        ("  dropped_ += held_->changes.size();\n",
         "  apply(*held_);\n  dropped_ += held_->changes.size();\n"),
      ],
      targets=["storage_test"],
      tests=[("storage", "replay counts each source event once"),
             ("storage", "replaying what an active partition produced rebuilds its state, even when the last event was cut short")],
      expect="caught"),
 dict(name="x-ack-take-buffer-early", optional=True,
      guarantee="events waiting in a take() buffer are not acked before the agent gets them",
      file="include/faust/detail/agent_processors.hpp",
      replace=[
        ("        batch_ids_.emplace_back(batch->tp_id, m.offset);\n",
         "        this->host_->acks().add(batch->tp_id, m.offset);\n"),
      ],
      targets=["actors_test"],
      tests=[("actors", "take(n, within) splits exactly by count and by its timer")],
      expect="caught: the processor is driven by hand and its acks read; optional because it rebuilds every test file (a public header)"),
]

BY = {m["name"]: m for m in M}

def check(root):
    bad = 0
    for m in M:
        text = open(f"{root}/{m['file']}").read()
        for old, _ in m["replace"]:
            n = text.count(old)
            if n != 1:
                bad += 1
                print(f"stale {m['name']}: {m['file']}: snippet found {n} times: {old.splitlines()[0].strip()!r}")
    if not bad:
        print(f"ok: {len(M)} mutations, every snippet occurs exactly once")
    return bad

def apply(root, name):
    m = BY[name]
    path = f"{root}/{m['file']}"
    text = open(path).read()
    for old, new in m["replace"]:
        assert text.count(old) == 1, f"{name}: snippet not found exactly once in {m['file']}"
        text = text.replace(old, new)
    open(path, "w").write(text)

def cmake_regex(name):
    # CMake's regex: a backslash before every special character.
    return "".join("\\" + c if c in "^$.[]*+?()\\|" else c for c in name)

def rows(argv):
    """name TAB file TAB targets TAB tests (suite US name, RS-separated)."""
    only = [a.split("=", 1)[1] for a in argv if a.startswith("--only=")]
    for n in only:
        if n not in BY:
            sys.exit(f"no mutation named {n}")
    for m in M:
        if only and m["name"] not in only:
            continue
        if not only and m.get("optional") and "--all" not in argv:
            continue
        tests = "\x1e".join(f"{s}\x1f{n}" for s, n in m["tests"])
        print("\t".join([m["name"], m["file"], " ".join(m["targets"]), tests]))

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "check":
        sys.exit(1 if check(args[0]) else 0)
    elif cmd == "apply":
        apply(args[0], args[1])
    elif cmd == "rows":
        rows(args)
    elif cmd == "cmake-regex":
        print(cmake_regex(args[0]))
    elif cmd == "list":
        for m in M:
            if "--all" in args or not m.get("optional"):
                print(f"{m['name']:34} {m['file']:45} {m['expect']}")
    else:
        sys.exit(__doc__)
