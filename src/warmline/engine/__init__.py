"""The Warmline engine: a pure library that reads support conversations for empathy.

It imports no web framework, ORM, CLI or distributed-computing module and runs offline; the
CLI, web app and batch adapters are thin layers on top. Start at
:class:`warmline.engine.pipeline.Analyzer`.
"""
