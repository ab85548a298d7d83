// GRU4Rec plugin (being written).
