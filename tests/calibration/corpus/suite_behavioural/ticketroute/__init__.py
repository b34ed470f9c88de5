"""Route support tickets to queues: text cleaning, a linear model, and the train/predict CLI."""
