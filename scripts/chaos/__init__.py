"""`make chaos`: what production does to a deployment, on `make scale`'s (see __main__)."""
