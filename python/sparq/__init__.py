"""sparq's Python side: reference numerics, model generators and (later) the
compile/load/run API."""
