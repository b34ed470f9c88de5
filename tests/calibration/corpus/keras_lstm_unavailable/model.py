import tensorflow as tf
from tensorflow.keras import layers

MAX_TOKENS = 20000
SEQ_LEN = 200
NUM_CLASSES = 8


def build_vectorizer(texts):
    vec = layers.TextVectorization(max_tokens=MAX_TOKENS, output_sequence_length=SEQ_LEN)
    vec.adapt(texts)
    return vec


def build_model():
    model = tf.keras.Sequential([
        layers.Embedding(MAX_TOKENS, 128),
        layers.Bidirectional(layers.LSTM(64)),
        layers.Dropout(0.3),
        layers.Dense(64, activation="relu"),
        layers.Dense(NUM_CLASSES, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
