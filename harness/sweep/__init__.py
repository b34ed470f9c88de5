"""The periodic pass: close finished time boxes, pay by the no-submission policy, remind."""
