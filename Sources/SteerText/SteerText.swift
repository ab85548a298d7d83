// SteerText module (being written).
