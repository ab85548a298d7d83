// SteerSnapshot module (being written).
