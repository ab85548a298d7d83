// SteerWire module (being written).
