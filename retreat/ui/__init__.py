"""What the room and the facilitator see: Rich renderables, keys, alarm, prompts."""
