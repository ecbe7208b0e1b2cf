"""Helpers that read MIME messages for `pipeline.intake`.

`structure` finds the entity tree as offsets into the raw bytes, `headers`
decodes fields, parameters and addresses, `transfer` undoes transfer
encodings, `filenames` makes attachment names safe, `text` turns bodies into
plain text. None of them raises on malformed input.
"""
