"""Reading storages: sources, the RDB and journal readers, the gRPC proxy, into raw tables."""
