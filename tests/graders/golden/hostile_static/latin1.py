# café crème
name = "café"
