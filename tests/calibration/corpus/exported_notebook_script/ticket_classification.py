#!/usr/bin/env python
# coding: utf-8

# # Support Ticket Classification
# 
# Exploring the tickets and training a classifier.

# In[1]:


import os
import re
import pickle
import string

import numpy as np
import pandas as pd
# import nltk
# nltk.download('stopwords')
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix


# In[2]:


DATA_PATH = os.environ.get("TRAIN_CSV", "data/train.csv")
MODEL_DIR = os.environ.get("MODEL_DIR", "model")

df = pd.read_csv(DATA_PATH)
df.head()


# In[3]:


print(df.shape)
print(df.isnull().sum())
df['label'].value_counts()


# In[4]:


df['text'] = df['subject'].fillna('') + ' ' + df['body'].fillna('')
df['text_len'] = df['text'].apply(len)
df.groupby('label')['text_len'].mean()


# In[5]:


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

df['clean'] = df['text'].apply(clean_text)
df[['text', 'clean']].head()


# In[6]:


X_train, X_test, y_train, y_test = train_test_split(df['clean'], df['label'], test_size=0.2, random_state=42)
print(X_train.shape, X_test.shape)


# In[7]:


tfidf = TfidfVectorizer(max_features=5000, ngram_range=(1,2))
X_train_tfidf = tfidf.fit_transform(X_train)
X_test_tfidf = tfidf.transform(X_test)


# In[8]:


model = LogisticRegression(max_iter=1000)
model.fit(X_train_tfidf, y_train)


# In[9]:


y_pred = model.predict(X_test_tfidf)
accuracy = accuracy_score(y_test, y_pred)
print("Accuracy:", accuracy)
print(classification_report(y_test, y_pred))


# In[10]:


print(confusion_matrix(y_test, y_pred))


# In[11]:


# save the model
os.makedirs(MODEL_DIR, exist_ok=True)
pickle.dump(model, open(os.path.join(MODEL_DIR, 'model.pkl'), 'wb'))
pickle.dump(tfidf, open(os.path.join(MODEL_DIR, 'tfidf.pkl'), 'wb'))


# In[ ]:




