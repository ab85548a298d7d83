// SteerNN module (being written).
