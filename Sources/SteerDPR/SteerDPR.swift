// SteerDPR (being written).
