// SteerTasks (being written).
