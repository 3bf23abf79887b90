"""The in-process event channel: live fan-out that never blocks the publisher."""

from __future__ import annotations

import asyncio

from bot.events import EventChannel, review_topic


async def drain(subscription) -> list[dict]:
    return [event async for event in subscription]


async def test_subscribers_get_events_of_their_topic_in_order() -> None:
    channel = EventChannel()
    mine = channel.subscribe("review:o/r#1@abc")
    other = channel.subscribe("review:o/r#2@def")
    for n in range(3):
        channel.publish("review:o/r#1@abc", {"n": n})
    channel.close()
    assert await drain(mine) == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert await drain(other) == []


async def test_subscribing_starts_at_once_so_nothing_published_before_the_first_await_is_lost() -> None:
    channel = EventChannel()
    subscription = channel.subscribe("t")
    channel.publish("t", {"early": True})
    assert await asyncio.wait_for(anext(subscription), 1) == {"early": True}


async def test_a_slow_subscriber_loses_the_oldest_events_and_the_publisher_never_waits() -> None:
    channel = EventChannel(queue_size=2)
    slow = channel.subscribe("t")
    for n in range(5):
        channel.publish("t", {"n": n})  # returns at once although nobody reads
    channel.close()
    assert await drain(slow) == [{"n": 3}, {"n": 4}]
    assert slow.dropped == 3


async def test_fan_out_to_every_subscriber_of_a_topic() -> None:
    channel = EventChannel()
    first, second = channel.subscribe("t"), channel.subscribe("t")
    channel.publish("t", {"x": 1})
    channel.close()
    assert await drain(first) == [{"x": 1}]
    assert await drain(second) == [{"x": 1}]


async def test_a_closed_subscription_stops_receiving_and_is_forgotten() -> None:
    channel = EventChannel()
    with channel.subscribe("t") as subscription:
        channel.publish("t", {"x": 1})
    channel.publish("t", {"x": 2})
    assert await drain(subscription) == [{"x": 1}]
    assert channel.subscriber_count("t") == 0


async def test_a_waiting_reader_wakes_when_the_channel_closes() -> None:
    channel = EventChannel()
    reader = asyncio.create_task(drain(channel.subscribe("t")))
    await asyncio.sleep(0)
    channel.publish("t", {"x": 1})
    channel.close()
    assert await asyncio.wait_for(reader, 1) == [{"x": 1}]


async def test_after_close_publishing_is_ignored_and_new_subscriptions_end_at_once() -> None:
    channel = EventChannel()
    channel.close()
    channel.publish("t", {"x": 1})
    assert await drain(channel.subscribe("t")) == []


def test_review_topic_names_the_pull_request_and_commit() -> None:
    assert review_topic("octo", "repo", 7, "abc123") == "review:octo/repo#7@abc123"
