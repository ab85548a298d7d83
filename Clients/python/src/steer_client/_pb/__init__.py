"""Protobuf code generated from Protos/steer/v1/steer.proto by Scripts/gen-proto-python (do not edit)."""
