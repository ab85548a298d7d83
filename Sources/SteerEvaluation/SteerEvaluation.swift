// SteerEvaluation module (being written).
