"""Time: weekly slots, blackouts, freeze, due items, the plan and scheduling."""
