"""Lists (checklists, shopping, inventory) with items, shared with people."""
