"""Shared code for the report on facial recognition in China.

The pipeline, one module a step:

    data/  --validate-->  run (papermill)  -->  render (jupyter-book)  -->  check  -->  publish
           validate/      run.py                render.py                   check.py    render.py

``build.py`` chains them; ``data.py`` is what notebooks load data through.
"""
