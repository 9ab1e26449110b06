"""hubsim: a local, faithful Hugging Face Hub API simulator with its own ground truth.

See hubsim/README.md. Entry points: `python -m hubsim serve|truth`, `hubsim.universe.Universe`,
`hubsim.server.SimServer`.
"""
