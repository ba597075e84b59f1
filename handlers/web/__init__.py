"""The managers' view, served by `crisisbot serve`: the live dashboard (server-sent
events), crisis pages and reports behind personal signed links, and the public banner."""
