import importlib.util
import os
import sys

spec = importlib.util.spec_from_file_location("tfidf", os.path.join(os.path.dirname(__file__), "tf-idf.py"))
tfidf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tfidf)

if sys.argv[1] == "train":
    os.makedirs(sys.argv[3], exist_ok=True)
    tfidf.train(sys.argv[2], os.path.join(sys.argv[3], "model.pkl"))
else:
    tfidf.predict(os.path.join(sys.argv[2], "model.pkl"), sys.argv[3], sys.argv[4])
