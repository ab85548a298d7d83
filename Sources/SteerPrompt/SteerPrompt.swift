// SteerPrompt (being written).
