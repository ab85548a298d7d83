// SteerDaemon module (being written).
