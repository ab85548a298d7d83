// SteerClient module (being written).
