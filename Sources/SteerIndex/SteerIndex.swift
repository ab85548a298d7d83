// SteerIndex module (being written).
