"""The report's strands, one module each: a strand's selections, findings and figures.

The pipeline (validate, run, render, check) knows nothing of them; notebooks call them.

    rollout      how facial recognition spread in China (data/rollout_events.csv)
    regulation   who governs it, how and since when (data/regulations.csv, regulation_provisions.csv)
"""
