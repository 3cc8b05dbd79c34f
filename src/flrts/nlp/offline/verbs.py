"""Verbs of field work, for telling a request ("swap the belt") from a name or a report."""

TASK_VERBS = (
    "check|inspect|fix|repair|replace|swap|install|clean|call|email|text|send|order|buy|pick|"
    "bring|test|look|service|grease|lube|change|upgrade|reboot|restart|reset|flash|tighten|torque|"
    "measure|verify|confirm|schedule|book|arrange|get|grab|haul|deliver|drop|mow|paint|weld|wire|"
    "run|pull|patch|meet|review|prepare|prep|write|file|submit|pay|renew|organize|sort|label|drain|"
    "flush|refill|fill|top|charge|calibrate|configure|set|mount|remove|dig|survey|photograph|take|"
    "count|audit|document|train|unload|load|secure|lock|unlock|winterize|troubleshoot|diagnose|"
    "investigate|coordinate|follow|contact|quote|collect|sample|read|record|plan|ship|return|"
    "retrieve|print|sweep|wash|spray|tag|fuel|refuel|do|handle|finish|start|ask|tell|find|make|"
    "double-check|recheck|re-check|re-torque|rewire|re-rack|rack|unbox|cut|trim|hook|connect|"
    "disconnect|update|adjust|align|bleed|purge|vent|lubricate|oil|mop|haul|pressure-wash|fence|"
    "walk|open|close|shut|escalate|invoice|reorder|restock|stock|inventory|power|cycle|swap|rotate|clear|sign"
)
