"""The Opgelucht relay: stores ciphertext, public keys and aggregated counts; never plaintext."""
