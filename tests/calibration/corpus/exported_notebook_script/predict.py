import sys
import re
import string
import pickle
import pandas as pd

stop_words = ['i', 'me', 'my', 'we', 'our', 'you', 'your', 'the', 'a', 'an', 'and', 'or', 'is', 'are',
              'was', 'it', 'to', 'of', 'in', 'on', 'for', 'with', 'this', 'that', 'hi', 'hello', 'thanks',
              'thank', 'regards', 'please', 'can', 'be', 'have', 'has', 'at', 'from', 'so', 'but']

def clean_text(text):
    text = text.lower()
    text = re.sub(r'http\S+', '', text)
    text = re.sub(r'\d+', '', text)
    text = text.translate(str.maketrans('', '', string.punctuation))
    words = [w for w in text.split() if w not in stop_words]
    return ' '.join(words)

model_dir = sys.argv[1]
test_path = sys.argv[2]
out_path = sys.argv[3]

model = pickle.load(open(model_dir + '/model.pkl', 'rb'))
tfidf = pickle.load(open(model_dir + '/tfidf.pkl', 'rb'))

test = pd.read_csv(test_path)
test['text'] = test['subject'].fillna('') + ' ' + test['body'].fillna('')
test['clean'] = test['text'].apply(clean_text)
preds = model.predict(tfidf.transform(test['clean']))
pd.DataFrame({'id': test['id'], 'label': preds}).to_csv(out_path, index=False)
print("done")
