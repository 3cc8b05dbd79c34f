"""Notifications: the one place that decides who is told what, and through which channel.

    from flrts.notify.service import Message, notify
    notify(user, "task_assigned", Message("📋 New task: ..."), once_key=f"assigned:{task.pk}")

Channels are Telegram (`flrts.telegram.outbound.send_text`) and email (Django's mail backend),
chosen from the person's preferences; quiet hours defer the message to the end of the window.
Events (task assigned, task you created completed, due soon, overdue, list shared, daily
summary) are in `flrts.notify.events`; the sweeps that find due-soon and overdue tasks and
daily summaries are in `flrts.notify.sweeps`.
"""
