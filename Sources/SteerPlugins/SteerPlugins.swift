// SteerPlugins module (being written).
