import pandas as pd
import pickle
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

def get_text(df):
    return df['subject'].fillna('') + ' ' + df['body'].fillna('')

def train(train_file, model_file):
    df = pd.read_csv(train_file)
    vec = TfidfVectorizer()
    X = vec.fit_transform(get_text(df))
    clf = LogisticRegression(max_iter=500)
    clf.fit(X, df['label'])
    pickle.dump((vec, clf), open(model_file, 'wb'))

def predict(model_file, test_file, out_file):
    vec, clf = pickle.load(open(model_file, 'rb'))
    df = pd.read_csv(test_file)
    df['label'] = clf.predict(vec.transform(get_text(df)))
    df[['id', 'label']].to_csv(out_file, index=False)

if __name__ == '__main__':
    import sys
    if sys.argv[1] == 'train':
        train(sys.argv[2], sys.argv[3])
    else:
        predict(sys.argv[2], sys.argv[3], sys.argv[4])
