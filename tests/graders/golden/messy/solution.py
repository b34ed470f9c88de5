import sys, os, pickle, time, json, re
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer, CountVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from helpers import *

MODEL_PATH = "/home/dave/projects/tickets/model.pkl"
API_TOKEN = None

def go(mode, a, b=None, c=None, verbose=1, extra=[]):
    if mode == "train":
        df = loadData(a)
        texts = []
        for i in range(len(df)):
            t = CleanText(df['subject'][i] + " " + df['body'][i])
            if len(t) > 0:
                if verbose > 0:
                    if i % 1000 == 0:
                        if verbose > 1:
                            print("row", i, t[:50])
                        else:
                            print("row", i)
            texts.append(t)
        vec = TfidfVectorizer(ngram_range=(1,2), min_df=2)
        X = vec.fit_transform(texts)
        y = df['label']
        m = MultinomialNB(alpha=0.1)
        m.fit(X, y)
        if not os.path.exists(b): os.makedirs(b)
        pickle.dump((vec, m), open(os.path.join(b, "model.pkl"), "wb"))
        print("train acc", (m.predict(X) == y).mean())
    elif mode == "predict":
        vec, m = pickle.load(open(os.path.join(a, "model.pkl"), "rb"))
        df = loadData(b)
        texts = []
        for i in range(len(df)):
            t = CleanText(df['subject'][i] + " " + df['body'][i])
            if len(t) > 0:
                if verbose > 0:
                    if i % 1000 == 0:
                        if verbose > 1:
                            print("row", i, t[:50])
                        else:
                            print("row", i)
            texts.append(t)
        X = vec.transform(texts)
        p = m.predict(X)
        out = pd.DataFrame({"id": df["id"], "label": p})
        out.to_csv(c, index=False)
        print("done")
    else:
        try:
            print("unknown mode", mode)
        except:
            pass
        sys.exit(1)

if len(sys.argv) > 1:
    go(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None, sys.argv[4] if len(sys.argv) > 4 else None)
