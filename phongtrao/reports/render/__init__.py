"""One renderer per format turns neutral blocks (``reports.blocks``) into output.

``markdown.render_blocks(blocks)`` -> str. The HTML (pages), .docx, PDF and .xlsx renderers live
beside it, each taking the same blocks.
"""
