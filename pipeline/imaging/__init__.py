"""Image handling with OpenCV: decoding, geometry, enhancement, quality.

Pure functions over numpy arrays (uint8, greyscale HxW or BGR HxWx3);
`pipeline.pages` composes them into the Page and PreparedPage stages.
"""
