// SteerData module (being written).
